// The loss chart: training loss after every step and validation loss at every evaluation, against
// the number of steps, drawn with uPlot (a small, fast canvas chart library). Points arrive from
// the worker as they are made; the chart is redrawn at most once per animation frame. uPlot's
// stylesheet is copied next to the page by the build (uplot.css).
// Not here: the numbers beside the chart (forge-panel.ts).
// Reference: uPlot's AlignedData — one x array and one array per series, the same length, null
// where a series has no value (validation is measured every evalInterval steps only).

import uPlot from "uplot";
import { draw } from "./dom.ts";

export class LossChart {
  private readonly plot: uPlot;
  private readonly steps: number[] = [];
  private readonly train: (number | null)[] = [];
  private readonly val: (number | null)[] = [];

  constructor(container: HTMLElement) {
    this.plot = new uPlot(
      {
        width: Math.max(320, container.clientWidth || 640),
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: "steps (weight updates)" }, { label: "loss (nats/token)" }],
        series: [
          { label: "step" },
          { label: "train loss", stroke: "#c2410c", width: 1 },
          { label: "val loss", stroke: "#0e7490", width: 2, spanGaps: true, points: { show: true, size: 6 } },
        ],
      },
      [[], [], []],
      container,
    );
  }

  clear(): void {
    this.steps.length = 0;
    this.train.length = 0;
    this.val.length = 0;
    this.redraw();
  }

  /** The point of step `step` (steps done); a second value for the same step fills its other series. */
  private at(step: number): number {
    const last = this.steps.length - 1;
    if (last >= 0 && this.steps[last] === step) return last;
    this.steps.push(step);
    this.train.push(null);
    this.val.push(null);
    return last + 1;
  }

  addTrain(step: number, loss: number): void {
    this.train[this.at(step)] = loss;
    this.redraw();
  }

  addVal(step: number, loss: number): void {
    this.val[this.at(step)] = loss;
    this.redraw();
  }

  private redraw(): void {
    draw("loss-chart", () => this.plot.setData([this.steps, this.train, this.val]));
  }
}
