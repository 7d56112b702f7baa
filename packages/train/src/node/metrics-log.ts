// metrics.jsonl on disk: appending a record per line as training goes, reading them back (a torn
// last line from a killed process is skipped), and dropping lines a crashed run wrote after its
// last checkpoint. What each key means: ../metrics.ts.
// Not here: the records themselves, the plot (../svg.ts).

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "@llmts/safetensors/node";
import type { MetricsRecord } from "../metrics.ts";

/** Appends records to a metrics.jsonl file. */
export class MetricsLog {
  constructor(readonly path: string) {}

  append(record: MetricsRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** Every record in the file (a torn last line from a killed process is skipped). */
  read(): MetricsRecord[] {
    if (!existsSync(this.path)) return [];
    const records: MetricsRecord[] = [];
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line) as MetricsRecord);
      } catch {
        // only the last line can be torn (appends are sequential); nothing after it to lose
      }
    }
    return records;
  }

  /** Rewrites the file with the records that `keep` accepts (atomically: writeFileAtomic). */
  filter(keep: (r: MetricsRecord) => boolean): MetricsRecord[] {
    const kept = this.read().filter(keep);
    writeFileAtomic(this.path, [kept.map((r) => `${JSON.stringify(r)}\n`).join("")]);
    return kept;
  }
}
