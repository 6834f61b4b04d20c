const SECRET_NAME = /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

// Names that hold where a secret is, or a setting about it, rather than the secret.
const NOT_THE_SECRET = /_(FILE|PATH|DIR|LENGTH|TTL|EXPIRY|EXPIRATION|TIMEOUT|ENABLED|URL|TYPE|NAME)$/i;

/**
 * True when an environment variable written in a manifest looks like it holds a secret:
 * its name says password, secret, token, API or private key, or credentials, and the value
 * is more than a flag or the path of a mounted secret file.
 */
export function looksLikeSecret(name: string, value: string): boolean {
  if (!SECRET_NAME.test(name) || NOT_THE_SECRET.test(name)) return false;
  const text = value.trim();
  if (text === '' || /^(true|false|yes|no|on|off|null|none)$/i.test(text)) return false;
  return !(text.startsWith('/') && !/\s/.test(text));
}

/** True when a value as written refers to a variable, so the secret, if any, is not in the manifest. */
export function refersToVariable(raw: string): boolean {
  return raw.replaceAll('$$', '').includes('$');
}
