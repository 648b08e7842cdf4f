import { Hono } from "@hono/hono";
import { cors } from "@hono/hono/cors";
import { logger } from "@hono/hono/logger";

const app = new Hono();

app.use("/*", cors());
app.use("/*", logger());

// The chapter hard-codes the service URL; the bench points it at a local server.
const upstream = Deno.env.get("UPSTREAM_URL") ?? "http://minikube-demo-server-service:8000";

app.get("/", async (c) => {
  const res = await fetch(upstream);
  const data = await res.json();

  return c.json({
    message: `Fetched: ${data.message}`,
  });
});

export default app;
