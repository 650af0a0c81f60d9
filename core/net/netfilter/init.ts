// The netfilter modules a host has loaded: x_tables with its matches and
// targets, conntrack, NAT. Importing this registers them all.
import './nf_conntrack_core.js';
import './nf_nat_core.js';
import './xt_match.js';
import './xt_target.js';
export { xt_find_table, xt_find_chain, nf_net } from './x_tables.js';
