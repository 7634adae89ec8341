/** The real Cilium chart of the lines 1.16 to 1.18 installs with every option set (test/live/charts.ts). */
import { describeChartLines } from './charts';

describeChartLines(1);
