/** `name` → `name:latest`, as `docker tag` does; digests and explicit tags are kept. */
export function normalizeTag(tag: string): string {
  const slash = tag.lastIndexOf("/");
  return tag.slice(slash + 1).includes(":") || tag.includes("@") ? tag : `${tag}:latest`;
}
