// Differential test: the same lines under the real /bin/sh (dash) and GNU
// tools, and under the model. Only lines that need no files but /dev/null
// and paths that do not exist, so both sides see the same world.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { makeHost } from './harness.js';

const STDIN = 'eth0: UP\nlo: UP\neth1: DOWN\n';

const LINES = [
  `echo 'a  b' "c  $X" d\\ e`,
  `echo "a\\"b\\\\c\\$d" '\\\\' \\\\ "\\q"`,
  `X="a  b"; echo $X "$X" "$UNSET" $UNSET x`,
  `echo a'b'"c"d "" e '' | cat`,
  `echo $ "$" \\$X a#b #c`,
  'echo a\\\nb',
  `echo $(echo a   b)x "$(printf 'a  b\\n\\n')" \`echo q\``,
  'X=1 Y=2; echo $X$Y; X=3 true; echo $X',
  'false; echo $?; echo $?',
  'false && echo a || echo b; true || echo c && echo d',
  '! false; echo $?; ! true; echo $?',
  'X=$(exit 3); echo $?',
  'true | false; echo $?; false | true; echo $?',
  'exit 3 | cat; echo $?',
  'exit 300',
  'exit foo',
  'foo; echo $?',
  'foo 2>/dev/null; echo $?',
  'echo a\n\nfoo',
  '/bin/echo a; ./nothing',
  `sh -c 'echo $0 $1 $#' a b`,
  `sh -c 'exit 5'; echo $?`,
  'sh -c',
  `echo 'echo hi; echo $?' | sh`,
  'sleep 0.01; echo slept',
  'echo x > /nonexistent/x; echo $?',
  'echo x > /etc; echo $?',
  'cat < /nonexistent; echo $?',
  ': > /nonexistent/x; echo no',
  'echo a >&5',
  'echo a >&2 2>/dev/null',
  'echo a 2>&1 >/dev/null',
  'cat /nonexistent 2>&1 >/dev/null | wc -l',
  'echo a >&-',
  `echo 'abc`,
  `'abc`,
  '\n\n# only a comment\n',
  'echo a\necho "b\nc',
  'echo a |',
  'echo a\necho b |\n\n',
  '| echo',
  'echo a ;;',
  'echo a & ; echo b',
  '&& echo',
  'echo > > x',
  'echo >&x',
  'echo a )',
  'echo ${X',
  // builtins
  'echo -n x; echo y; echo -n -n z; echo -e q',
  `echo 'a\\tb\\101\\0101' '\\q'; echo 'a\\cb'; echo`,
  `printf '%s-%d\\n' a 3 b; printf '%5s|%-3d|%03d|%x|%c|%%|%5.1s\\n' ab 1 7 255 xyz abc`,
  `printf '%d %d %i\\n' 010 0x10 -5; printf '%b\\n' 'a\\tb'`,
  `printf '%d\\n' abc`,
  `printf '%d\\n' 3.5`,
  'printf',
  'cat - /nonexistent /etc; echo $?',
  'cat -z',
  'sleep',
  'sleep 1x',
  'head -n 2; head -n 1 /nonexistent',
  'head -n',
  'head -n x',
  'head -2',
  'wc',
  'wc -l',
  'wc -w -c',
  'wc -l /nonexistent',
  'grep eth',
  'grep -v eth',
  'grep -c UP',
  'grep -in down',
  'grep -q lo; echo $?',
  'grep nothing; echo $?',
  `grep '^eth[0-9]: U'`,
  `grep 'eth\\(0\\|1\\): D'`,
  `grep -E 'eth(0|1): D' -`,
  `grep -F '.'; echo $?`,
  `grep '[[:digit:]]:'`,
  'grep -w lo; grep -x lo; echo $?',
  'grep -e lo -e eth0',
  'grep -c eth - /nonexistent; echo $?',
  'grep',
  `grep '[a'`,
];

const isDash = (() => {
  try {
    return realpathSync('/bin/sh').endsWith('dash');
  } catch {
    return false;
  }
})();

describe.skipIf(!isDash)('same as dash and GNU tools', () => {
  test.each(LINES)('%j', (line) => {
    const real = spawnSync('/bin/sh', ['-c', line], {
      argv0: 'sh',
      input: STDIN,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
    });
    const ours = makeHost().run(line, { stdin: STDIN });
    expect({ out: ours.out, err: ours.err, code: ours.code }).toEqual({ out: real.stdout, err: real.stderr, code: real.status });
  });
});
