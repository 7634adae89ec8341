/** Every example deploys on a live API server: part 1 of 2 (test/live/examples.ts). */
import { describeExamples } from './examples';

describeExamples(1, 2);
