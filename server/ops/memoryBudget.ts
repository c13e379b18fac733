// The memory the server may spend on table state and answers, from the container's limit (the
// cgroup's, v1 or v2, as libuv reads it) or the configuration. Snapshot builds and streamed answers
// reserve their share before they start; what does not fit is refused with a retryable error
// instead of growing the heap until the process dies and takes every other recipient with it.
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";

export class MemoryExhaustedError extends Error {
  readonly neededBytes: number;
  readonly availableBytes: number;
  readonly what: string;

  constructor(what: string, neededBytes: number, availableBytes: number, budgetBytes: number) {
    super(
      `${what} needs about ${mib(neededBytes)} MiB of memory; ${mib(availableBytes)} MiB of the server's ` +
        `${mib(budgetBytes)} MiB budget are free. Retry later, or raise the server's memory limit`,
    );
    this.name = "MemoryExhaustedError";
    this.neededBytes = neededBytes;
    this.availableBytes = availableBytes;
    this.what = what;
  }
}

const mib = (bytes: number) => Math.ceil(bytes / 2 ** 20);

/** Left for the runtime, code, sockets and native buffers not yet returned to the system. */
export const defaultReserveBytes = 128 * 2 ** 20;
/** Share of the rest the budget may hand out. */
const budgetShare = 0.8;

/**
 * What the JavaScript heap may come to: snapshots live outside it (typed arrays and buffers), but
 * requests' garbage lives in it, and V8 lets it grow towards its limit (about half the container's
 * memory with default flags) before collecting hard.
 */
function heapAllowance(limitBytes: number): number {
  return Math.min(getHeapStatistics().heap_size_limit, limitBytes) / 2;
}

export interface MemorySettings {
  /** The memory limit; the cgroup's (or the machine's) when unset. */
  limitBytes?: number | undefined;
  /** The budget itself, overriding what the limit gives. */
  budgetBytes?: number | undefined;
}

/** The container's memory limit as the cgroup states it, or the machine's memory without one. */
export function detectedMemoryLimit(): number {
  const constrained = process.constrainedMemory();
  const machine = totalmem();
  return constrained > 0 && constrained < machine ? constrained : machine;
}

export function budgetFor(settings: MemorySettings): { limitBytes: number; budgetBytes: number } {
  const limitBytes = settings.limitBytes ?? detectedMemoryLimit();
  const budgetBytes =
    settings.budgetBytes ??
    Math.max(0, (limitBytes - defaultReserveBytes - heapAllowance(limitBytes)) * budgetShare);
  return { limitBytes, budgetBytes };
}

export interface Reservation {
  readonly bytes: number;
  release(): void;
}

/** Told of every refusal, with the table it was for: the server counts and logs them. */
export type RefusalListener = (table: string, error: MemoryExhaustedError) => void;

export class MemoryBudget {
  limitBytes: number;
  budgetBytes: number;
  #reserved = 0;
  onRefused: RefusalListener | undefined;

  constructor(settings: MemorySettings = {}) {
    const { limitBytes, budgetBytes } = budgetFor(settings);
    this.limitBytes = limitBytes;
    this.budgetBytes = budgetBytes;
  }

  /** Applies a changed configuration; reservations already made stay. */
  configure(settings: MemorySettings): void {
    const { limitBytes, budgetBytes } = budgetFor(settings);
    this.limitBytes = limitBytes;
    this.budgetBytes = budgetBytes;
  }

  get reservedBytes(): number {
    return this.#reserved;
  }

  get availableBytes(): number {
    return Math.max(0, this.budgetBytes - this.#reserved);
  }

  /**
   * Reserves `bytes` for work on `table` or throws MemoryExhaustedError; `makeRoom` may free cached
   * state first.
   */
  reserve(what: string, bytes: number, table: string, makeRoom?: (bytes: number) => void): Reservation {
    if (bytes > this.availableBytes && makeRoom) makeRoom(bytes - this.availableBytes);
    if (bytes > this.availableBytes) {
      const error = new MemoryExhaustedError(what, bytes, this.availableBytes, this.budgetBytes);
      this.onRefused?.(table, error);
      throw error;
    }
    return this.hold(bytes);
  }

  /** Counts memory already in use (a snapshot that was built) without refusing it. */
  hold(bytes: number): Reservation {
    this.#reserved += bytes;
    let held = true;
    return {
      bytes,
      release: () => {
        if (!held) return;
        held = false;
        this.#reserved -= bytes;
      },
    };
  }
}
