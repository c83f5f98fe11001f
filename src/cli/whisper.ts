import type { Command } from 'commander';

// Owned by the whisper tools work (issue 2); registered here so the CLI builds while it lands.
export function registerWhisperCommands(_whisper: Command): void {}
