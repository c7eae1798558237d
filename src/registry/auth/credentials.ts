/** What a registry login holds: a user/password pair or an OAuth2 refresh ("identity") token. */
export type Credentials =
  { readonly username: string; readonly password: string } | { readonly identityToken: string };

/** Looks up credentials for a registry host (as written in references, e.g. "docker.io"). */
export type CredentialSource = (registry: string) => Promise<Credentials | undefined>;

export function basicAuthorization(creds: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, "utf8").toString("base64")}`;
}

/** For messages: says whose credentials were used without ever printing a secret. */
export function describeCredentials(creds: Credentials | undefined): string {
  if (!creds) return "anonymously";
  return "username" in creds ? `as ${JSON.stringify(creds.username)}` : "with an identity token";
}
