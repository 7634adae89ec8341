'use strict';
/**
 * The live suite's test order (jest.live.config.js). jest's own: the files that took longest last time first, so that
 * the workers end together. When `.ci/run` starts the suite before the examples are synthesized (LIVE_ASSEMBLY_WAIT,
 * see test/live/examples.ts), the files that need them go last, in that same order, so that no worker waits for
 * synth:examples while a file that needs nothing from it is left to run.
 */
const Sequencer = require('@jest/test-sequencer').default;

const NEEDS_ASSEMBLIES = /[\\/]examples-\d+\.live\.ts$/;

class LiveSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    if (!process.env.LIVE_ASSEMBLY_WAIT) return sorted;
    return [
      ...sorted.filter((t) => !NEEDS_ASSEMBLIES.test(t.path)),
      ...sorted.filter((t) => NEEDS_ASSEMBLIES.test(t.path)),
    ];
  }
}

module.exports = LiveSequencer;
