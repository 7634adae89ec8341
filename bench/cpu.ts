/** CPU readings the bench's measuring processes share. */
import * as fs from 'fs';

/** USER_HZ of Linux's /proc times (100 on every architecture Node supports; `getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/**
 * CPU time (user + system) of the main thread so far, ms, from /proc (Linux; NaN elsewhere): the rest of the process's
 * CPU is V8's compiler and garbage-collector threads (and libuv's), which run beside the main thread.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // fields after the command name (which may contain spaces): state is field 3, utime 14 and stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Process CPU (user + system, all threads) since `start`, ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}
