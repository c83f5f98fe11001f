import type { Command } from 'commander';

// Owned by the routing work (issue 4); registered here so the CLI builds while it lands.
export function registerRouteCommand(_program: Command): void {}
