/**
 * The real Cilium chart of the lines 1.19 and 1.20 installs with every option set, and the chart refuses
 * ServiceMonitors without the Prometheus Operator CRDs (test/live/charts.ts).
 */
import { describeChartLines, describeServiceMonitorRefusal } from './charts';

describeChartLines(2);
describeServiceMonitorRefusal();
