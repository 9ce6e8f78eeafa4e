// Loads slowly (1.5 s of top-level await): the runtime must not be ready before it is loaded.
await new Promise((resolve) => setTimeout(resolve, 1500));

export function handler(event) {
  return { ok: true };
}
