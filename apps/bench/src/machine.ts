// One line describing the machine a benchmark ran on: CPU model, cores, memory, Node version.
import os from "node:os";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  summary: string;
}

export function describeMachine(): MachineInfo {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const cores = os.availableParallelism();
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  const node = process.version;
  return { cpu, cores, memoryGiB, node, summary: `${cpu}, ${cores} cores, ${memoryGiB} GiB, Node ${node}` };
}
