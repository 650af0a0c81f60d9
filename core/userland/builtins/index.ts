// The programs every host has, before the host adds its network tools.
import type { Program } from '../process.js';
import { sh } from '../shell/interp.js';
import { cat } from './cat.js';
import { echo, printf } from './echo.js';
import { grep } from './grep.js';
import { head } from './head.js';
import { sleep } from './sleep.js';
import { wc } from './wc.js';

const trueProgram: Program = function* () {
  return 0;
};
const falseProgram: Program = function* () {
  return 1;
};

/** A fresh map (each host merges its own tools into it). */
export function builtinPrograms(): Map<string, Program> {
  return new Map<string, Program>([
    ['sh', sh],
    ['dash', sh],
    ['echo', echo],
    ['printf', printf],
    ['cat', cat],
    ['sleep', sleep],
    ['true', trueProgram],
    ['false', falseProgram],
    ['head', head],
    ['grep', grep],
    ['wc', wc],
  ]);
}
