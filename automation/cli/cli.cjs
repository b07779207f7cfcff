#!/usr/bin/env node
// `rollgate` as npm installs it (package.json "bin"): runs main.ts with Node and tsx's loader (a runtime
// dependency, resolved from this package, not from the working directory), with the same arguments and
// streams, and ends the way it ended: its exit code, or its signal.
"use strict";
const { spawn } = require("node:child_process");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

const loader = pathToFileURL(require.resolve("tsx")).href;
const child = spawn(process.execPath, ["--import", loader, join(__dirname, "main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });

const relayed = ["SIGINT", "SIGTERM", "SIGHUP"];
for (const signal of relayed) process.on(signal, () => child.kill(signal));

child.on("error", (error) => {
  process.stderr.write(`rollgate: cannot start ${process.execPath}: ${error.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal === null) process.exit(code ?? 1);
  for (const name of relayed) process.removeAllListeners(name);
  process.kill(process.pid, signal);
});
