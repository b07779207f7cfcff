/** Resident memory of a process and everything it started, from /proc (Linux). */
import { readFileSync } from "node:fs";
import { descendants, processCpuSeconds } from "../../test/support/rollgateService";

export interface TreeMemory {
  /** RSS of the process itself, in MB. */
  readonly selfMb: number;
  /** RSS summed over the process and its descendants, in MB. */
  readonly treeMb: number;
  /** Processes in the tree, the process included. */
  readonly processes: number;
}

/** VmRSS of one process in kB; 0 when it has exited (or is a zombie). */
export function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds a process and its finished descendants used (an operation's CLI,
 * language host, policy pack and provider are reaped when it ends, so their
 * CPU is in the total afterwards). 0 when the process is gone.
 */
export function treeCpuSeconds(pid: number): number {
  const cpu = processCpuSeconds(pid);
  return cpu ? cpu.self + cpu.reapedChildren : 0;
}

export function treeMemory(pid: number): TreeMemory {
  const children = descendants(pid).map((child) => child.pid);
  const self = rssKb(pid);
  const tree = children.reduce((sum, child) => sum + rssKb(child), self);
  return { selfMb: self / 1024, treeMb: tree / 1024, processes: children.length + 1 };
}

/** Samples a process tree's memory at an interval; keeps the peaks. */
export class TreeSampler {
  private timer?: NodeJS.Timeout;
  peakSelfMb = 0;
  peakTreeMb = 0;
  peakProcesses = 0;
  samples = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const memory = treeMemory(this.pid);
    this.samples += 1;
    this.peakSelfMb = Math.max(this.peakSelfMb, memory.selfMb);
    this.peakTreeMb = Math.max(this.peakTreeMb, memory.treeMb);
    this.peakProcesses = Math.max(this.peakProcesses, memory.processes);
  }
}
