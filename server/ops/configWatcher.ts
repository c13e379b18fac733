// Notices when the configuration file changes: events on its DIRECTORY (a Kubernetes Secret or
// ConfigMap volume updates by swapping the `..data` symlink to a new folder, which a watch on the
// file itself never sees) and, as a backstop where events are lost or unsupported, a periodic
// re-read. A change is reported only when the text differs from the last text seen.
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Logger } from "pino";

export interface ConfigWatcherOptions {
  path: string;
  /** The text the running configuration was loaded from. */
  initialText: string;
  intervalSeconds: () => number;
  onChange: (text: string) => Promise<void>;
  logger: Logger;
}

export class ConfigWatcher {
  readonly #options: ConfigWatcherOptions;
  #lastText: string;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #lastPoll = Date.now();

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    this.#lastText = options.initialText;
    this.#watchDirectory();
    this.#schedulePoll();
  }

  #watchDirectory(): void {
    const dir = dirname(this.#options.path);
    try {
      this.#watcher = watch(dir, { persistent: false }, (_event, name) => {
        // the file itself, or any `..`-prefixed entry of a mounted volume's symlink swap
        if (name === null || name === basename(this.#options.path) || name.startsWith("..")) this.#soon();
      });
      this.#watcher.on("error", (error) => {
        this.#options.logger.warn({ err: error, dir }, "configuration folder watch failed; polling only");
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch (error) {
      this.#options.logger.warn({ err: error, dir }, "cannot watch the configuration folder; polling only");
    }
  }

  // ticks every second and reads the file once the interval in force has passed, so a reload
  // that changes the interval (or turns polling on) takes effect without a restart
  #schedulePoll(): void {
    if (this.#closed) return;
    this.#poll = setTimeout(() => {
      const seconds = this.#options.intervalSeconds();
      const due = seconds > 0 && Date.now() - this.#lastPoll >= seconds * 1000 - 50;
      if (!due) {
        this.#schedulePoll();
        return;
      }
      this.#lastPoll = Date.now();
      void this.check().finally(() => this.#schedulePoll());
    }, 1000);
    this.#poll.unref();
  }

  #soon(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    // writers and volume updates touch several entries in a row; read once they settle
    this.#debounce = setTimeout(() => void this.check(), 150);
    this.#debounce.unref();
  }

  /** Reads the file now and reports a change; concurrent calls run one after another. */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        let text: string;
        try {
          text = await readFile(this.#options.path, "utf8");
        } catch (error) {
          // mid-swap, or removed: the running configuration stays; the next event or poll retries
          this.#options.logger.debug({ err: error }, "configuration file not readable right now");
          continue;
        }
        if (text === this.#lastText || this.#closed) continue;
        this.#lastText = text;
        await this.#options.onChange(text);
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#poll);
    clearTimeout(this.#debounce);
    this.#watcher?.close();
  }
}
