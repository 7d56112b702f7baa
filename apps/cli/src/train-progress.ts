// The console side of a training run (`llmts train`, `llmts demo`): a progress bar on stderr with
// iteration, loss, tokens/s and ETA, and lines printed above it. Uses cli-progress on a terminal;
// in logs and pipes it prints a plain line every 10 seconds instead. A reader that goes away
// (`llmts train ... 2>&1 | head -2`) does not stop training: main.ts drops writes to a closed stderr.
// Not here: training (@llmts/train), what the lines say (commands/train.ts).
import { MultiBar, Presets, type SingleBar } from "cli-progress";

/**
 * Progress on stderr: a cli-progress bar (iteration, loss, tokens/s, ETA) on a terminal; when
 * stderr is a file or pipe, a plain line every 10 seconds instead (a bar would be noise in logs).
 */
export class Progress {
  private readonly bars: MultiBar | null;
  private readonly bar: SingleBar | null;
  private speed = 0; // tokens/s, smoothed
  private lastLine = performance.now();
  private readonly started = performance.now();

  constructor(
    private readonly total: number,
    private readonly start: number,
  ) {
    if (!process.stderr.isTTY) {
      this.bars = null;
      this.bar = null;
      return;
    }
    this.bars = new MultiBar(
      {
        format: "iter {value}/{total} |{bar}| loss {loss} | {speed} tok/s | ETA {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
        gracefulExit: false, // our SIGINT handler decides what Ctrl-C does
      },
      Presets.shades_classic,
    );
    this.bar = this.bars.create(total, start, { loss: "-", speed: "-" });
  }

  step(done: number, loss: number, tokensPerSecond: number): void {
    this.speed = this.speed === 0 ? tokensPerSecond : 0.9 * this.speed + 0.1 * tokensPerSecond;
    if (this.bar) {
      this.bar.update(done, { loss: loss.toFixed(4), speed: Math.round(this.speed) });
      return;
    }
    const now = performance.now();
    if (now - this.lastLine < 10_000 && done < this.total) return;
    this.lastLine = now;
    const eta = ((now - this.started) / 1000 / Math.max(1, done - this.start)) * (this.total - done);
    this.log(
      `iter ${done}/${this.total}: loss ${loss.toFixed(4)}, ${Math.round(this.speed)} tok/s, ETA ${Math.round(eta)}s`,
    );
  }

  log(line: string): void {
    if (this.bars) {
      this.bars.log(`${line}\n`);
      this.bars.update(); // print it now: stop() would drop a line still waiting for a redraw
    } else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.bars?.stop();
  }
}
