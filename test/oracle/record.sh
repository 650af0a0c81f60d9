#!/bin/sh
# Record a lab 3 times on the real kernel and check the runs agree after the
# masks in normalize.json. Keeps run 1 as expected/NN-name.json.
# usage: test/oracle/record.sh test/oracle/cases/NN-name.lab.yaml
set -e
lab=$1; name=$(basename "$lab" .lab.yaml); here=$(dirname "$0")
tmp=${TMPDIR:-/tmp}/oracle-record.$$; mkdir -p "$tmp"
for i in 1 2 3; do
  python3 /work/shared/oracle/run-linux.py "$lab" --json > "$tmp/$i.json"
done
ok=0
python3 /work/shared/oracle/compare.py "$tmp/1.json" "$tmp/2.json" || ok=1
python3 /work/shared/oracle/compare.py "$tmp/1.json" "$tmp/3.json" || ok=1
cp "$tmp/1.json" "$here/expected/$name.json"
echo "recorded $here/expected/$name.json (runs in $tmp); stable=$([ $ok = 0 ] && echo yes || echo NO)"
exit $ok
