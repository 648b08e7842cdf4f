import app from "./app.js";

// The course's entry point; the bench picks the port (PORT) and keeps it on loopback (HOST).
Deno.serve({
  hostname: Deno.env.get("HOST") ?? "0.0.0.0",
  port: Number(Deno.env.get("PORT") ?? 8000),
}, app.fetch);
