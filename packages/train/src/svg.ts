// loss.svg: the loss curves of a run as a self-contained SVG (no plotting library): every step's
// batch loss as a thin line, and the evaluation losses on train and validation as thicker lines
// with dots, against the iteration. Open it in any browser.
// Not here: reading metrics (metrics.ts), log scales, interactivity.

import { type EvalRecord, isEvalRecord, type MetricsRecord } from "./metrics.ts";

const W = 720;
const H = 420;
const M = { left: 60, right: 20, top: 30, bottom: 50 }; // margins around the plot area

export function lossCurveSvg(records: readonly MetricsRecord[], title = "loss"): string {
  const steps = records.filter((r) => !isEvalRecord(r));
  const evals = records.filter(isEvalRecord) as EvalRecord[];
  const losses = records.flatMap((r) => (isEvalRecord(r) ? [r.train_loss, r.val_loss] : [r.train_loss]));
  const finite = losses.filter(Number.isFinite);
  const maxIter = Math.max(1, ...records.map((r) => r.iter));
  const yMin = finite.length ? Math.min(...finite) : 0;
  const yMax = finite.length ? Math.max(...finite) : 1;
  const pad = (yMax - yMin) * 0.05 || 0.5;
  const lo = Math.max(0, yMin - pad);
  const hi = yMax + pad;

  // data -> pixel coordinates
  const px = (iter: number) => M.left + (iter / maxIter) * (W - M.left - M.right);
  const py = (loss: number) => M.top + ((hi - loss) / (hi - lo)) * (H - M.top - M.bottom);
  const path = (points: [number, number][]) =>
    points.map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  // axes with five ticks each
  for (let i = 0; i <= 4; i++) {
    const loss = lo + ((hi - lo) * i) / 4;
    const y = py(loss).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${loss.toFixed(2)}</text>`,
    );
    const iter = Math.round((maxIter * i) / 4);
    parts.push(
      `<text x="${px(iter).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${iter}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">iteration</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">cross-entropy (nats/token)</text>`,
  );
  const series: [string, string, number, [number, number][]][] = [
    ["train (batch)", "#9ecae1", 1, steps.map((r) => [r.iter, r.train_loss])],
    ["train (eval)", "#3182bd", 2, evals.map((r) => [r.iter, r.train_loss])],
    ["val (eval)", "#e6550d", 2, evals.map((r) => [r.iter, r.val_loss])],
  ];
  series.forEach(([name, color, width, points], k) => {
    const shown = points.filter(([, y]) => Number.isFinite(y));
    if (shown.length > 0) {
      parts.push(`<path d="${path(shown)}" fill="none" stroke="${color}" stroke-width="${width}"/>`);
      if (width > 1) {
        for (const [x, y] of shown) {
          parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
        }
      }
    }
    const ly = M.top + 14 + k * 16;
    parts.push(
      `<line x1="${W - M.right - 120}" x2="${W - M.right - 100}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="${width + 1}"/>`,
    );
    parts.push(`<text x="${W - M.right - 94}" y="${ly}" dominant-baseline="middle">${name}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
