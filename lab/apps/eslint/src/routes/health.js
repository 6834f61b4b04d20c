export function health() {
  return { status: 200, body: 'ok' };
}
