/** The writer's Whisper options as carbon's defaults set them (every WHISPER_* off, hashed tag paths). */
export function defaultWhisperOptions(dataDir: string) {
  return {
    dataDir,
    tagHashFilenames: true,
    sparseCreate: false,
    fallocateCreate: false,
    lockWrites: false,
    autoflush: false,
    fadviseRandom: false,
  };
}
