// The benchmark's trivial function: echoes one field.
export function handler(event) {
  return { ok: true, n: event.n ?? null };
}
