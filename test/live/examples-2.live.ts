/** Every example deploys on a live API server: part 2 of 2 (test/live/examples.ts). */
import { describeExamples } from './examples';

describeExamples(2, 2);
