// Preloaded into every process the embedded mesh starts: if the supervisor dies without stopping
// it (SIGKILL, crash), the process exits too instead of lingering as an orphan.
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1_000);
timer.unref();
