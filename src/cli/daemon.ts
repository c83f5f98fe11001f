import type { Command } from 'commander';
import type { DaemonOptions, DaemonProgram } from '../daemon.js';
import { PidFile } from '../daemon/pidfile.js';

const PROGRAMS: Array<[DaemonProgram, string]> = [
  ['cache', 'carbon-cache: receive points, cache them and write them to Whisper files'],
  ['relay', 'carbon-relay: receive points and forward them by rules or consistent hashing'],
  ['aggregator', 'carbon-aggregator: rewrite and aggregate points, forward them by consistent hashing'],
  ['aggregator-cache', 'carbon-aggregator-cache: rewrite and aggregate points, then cache and write them'],
];

/**
 * `carbon-ts cache|relay|aggregator|aggregator-cache [start|stop|status]`, with carbon's options.
 * `start` (the default) runs in the foreground, as under systemd or `carbon-cache --nodaemon`.
 */
export function registerDaemonCommands(program: Command): void {
  for (const [name, description] of PROGRAMS) {
    program
      .command(name)
      .description(description)
      .argument('[action]', 'start (default, runs in the foreground), stop or status', 'start')
      .requiredOption('--config <file>', 'carbon.conf; its folder is CONF_DIR')
      .option('--instance <name>', 'instance name: reads [section:NAME] over [section]', 'a')
      .option('--pidfile <file>', 'pidfile (default PID_DIR/carbon-<program>-<instance>.pid)')
      .option('--logdir <dir>', 'write logs to files in this folder instead of stdout')
      .option('--debug', 'log debug messages', false)
      .option('--whitelist <file>', 'whitelist file (default CONF_DIR/whitelist.conf)')
      .option('--blacklist <file>', 'blacklist file (default CONF_DIR/blacklist.conf)')
      .option('--rules <file>', 'relay-rules (relay) or aggregation-rules (aggregators) file')
      .option('--rewrite-rules <file>', 'rewrite-rules file (aggregators)')
      .option('--ephemeral-ports', 'bind each enabled listener to a port the OS chooses and log them (for tests)', false)
      .action(async (action: string, o: Record<string, unknown>) => {
        const opts: DaemonOptions = {
          program: name,
          configPath: String(o.config),
          instance: String(o.instance),
          pidfile: o.pidfile as string | undefined,
          logDir: o.logdir as string | undefined,
          debug: Boolean(o.debug),
          whitelist: o.whitelist as string | undefined,
          blacklist: o.blacklist as string | undefined,
          rules: o.rules as string | undefined,
          rewriteRules: o.rewriteRules as string | undefined,
          ephemeralPorts: Boolean(o.ephemeralPorts),
        };
        process.exitCode = await runAction(action, opts);
      });
  }
}

async function runAction(action: string, opts: DaemonOptions): Promise<number> {
  // Loaded here, not at the top, so the whisper tools and `route` start without the daemon's modules.
  const { resolveDaemonPaths, runDaemon } = await import('../daemon.js');
  const label = `carbon-${opts.program} (instance ${opts.instance})`;
  const pidfile = new PidFile(resolveDaemonPaths(opts).pidfile);
  switch (action) {
    case 'stop': {
      const pid = pidfile.runningPid();
      if (pid === null) {
        process.stdout.write(`${label} is not running\n`);
        return 0;
      }
      process.kill(pid, 'SIGTERM');
      process.stdout.write(`Sending kill signal to pid ${pid}\n`);
      return 0;
    }
    case 'status': {
      const pid = pidfile.runningPid();
      if (pid === null) {
        process.stdout.write(`${label} is not running\n`);
        return 1;
      }
      process.stdout.write(`${label} is running with pid ${pid}\n`);
      return 0;
    }
    case 'start': {
      const existing = pidfile.read();
      if (existing === 'invalid') {
        pidfile.removeStale();
        process.stderr.write(`Removed invalid pidfile ${pidfile.path}\n`);
        return 1;
      }
      if (pidfile.runningPid() !== null) {
        process.stderr.write(`${label} is already running with pid ${existing}\n`);
        return 1;
      }
      if (existing !== null) pidfile.removeStale();
      process.stdout.write(`Starting ${label}\n`);
      await runDaemon(opts, pidfile);
      return 0;
    }
    default:
      process.stderr.write(`Invalid action '${action}'. Valid actions are: start stop status\n`);
      return 1;
  }
}
