import { existsSync, statSync } from 'node:fs';
import { getLogger } from '../../logging.js';
import { systemClock, type Clock } from './clock.js';
import { LoopingCall } from './looping-call.js';

const log = getLogger('rules-reloader');

/** carbon re-checks rule files on this period (RuleManager / RewriteRuleManager read_task). */
export const RULES_RELOAD_SECONDS = 10;

export interface ReloadHandlers {
  /** The file is gone (carbon clears the rules). */
  onMissing(): void;
  /** The file's mtime moved past the last successful read; throw to refuse the new content. */
  onChanged(): void;
  /** onChanged threw. Return true to keep polling (rewrite rules), false to stop (aggregation rules). */
  onError(err: unknown): boolean;
}

/**
 * Polls a rules file's mtime like carbon's LoopingCall(read_rules): the content is read again only
 * when the mtime is later than the last successful read.
 */
export class FileReloader {
  private lastRead = 0;
  private readonly task: LoopingCall;

  constructor(
    readonly file: string,
    private readonly handlers: ReloadHandlers,
    clock: Clock = systemClock,
    private readonly periodSeconds = RULES_RELOAD_SECONDS,
  ) {
    // The same LoopingCall carbon's managers use, so a controlled clock drives reloads in tests.
    this.task = new LoopingCall(clock, () => this.check());
  }

  /** Records the mtime of a read done by the caller at startup. */
  markRead(): void {
    try {
      this.lastRead = statSync(this.file).mtimeMs / 1000;
    } catch {
      /* missing: any later file counts as changed */
    }
  }

  start(): void {
    if (!this.task.running) this.task.start(this.periodSeconds);
  }

  stop(): void {
    this.task.stop();
  }

  /** One poll (also callable directly, e.g. on SIGHUP or from tests). */
  check(): void {
    if (!existsSync(this.file)) {
      this.handlers.onMissing();
      return;
    }
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs / 1000;
    } catch (err) {
      log.error({ err }, `Failed to get mtime of ${this.file}`);
      return;
    }
    if (mtime <= this.lastRead) return;
    try {
      this.handlers.onChanged();
      this.lastRead = mtime;
    } catch (err) {
      if (!this.handlers.onError(err)) this.stop();
    }
  }
}
