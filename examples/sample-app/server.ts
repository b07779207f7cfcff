/**
 * Rollgate's sample application: `GET /` answers from its track, `/metrics`
 * exposes `http_requests_total{track,code}` and
 * `http_request_duration_seconds{track}` (prom-client), `/healthz` is for
 * probes. Its behaviour comes from its image (`behaviour.ts`).
 *
 * Environment: `PORT` (default 8080), `ROLLGATE_TRACK` (set by WebService),
 * `SAMPLE_APP_IMAGE` (the image it stands for; the local data plane sets it).
 */
import { createServer } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";
import { baseLatencyMs, behaviourOf, fails } from "./behaviour";

const port = Number(process.env.PORT ?? 8080);
const track = process.env.ROLLGATE_TRACK ?? "stable";
const image = process.env.SAMPLE_APP_IMAGE ?? "";
const behaviour = behaviourOf(image);

const registry = new Registry();
const requests = new Counter({ name: "http_requests_total", help: "HTTP requests served", labelNames: ["track", "code"], registers: [registry] });
const duration = new Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request duration",
  labelNames: ["track"],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

let served = 0;
const server = createServer((req, res) => {
  if (req.url === "/metrics") {
    void registry.metrics().then((text) => {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(text);
    });
    return;
  }
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
    return;
  }
  served += 1;
  const n = served;
  const stop = duration.startTimer({ track });
  setTimeout(() => {
    const code = fails(n, behaviour.errorRate) ? 500 : 200;
    res.writeHead(code, { "content-type": "text/plain", "x-rollgate-track": track });
    res.end(code === 500 ? "error\n" : `hello from ${track} (${image || "sample-app"})\n`);
    requests.inc({ track, code: String(code) });
    stop();
  }, baseLatencyMs(n) * behaviour.latencyFactor);
});

server.listen(port, "127.0.0.1", () => console.log(JSON.stringify({ msg: "sample app listening", port, track, image, behaviour })));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close(() => process.exit(0)));
