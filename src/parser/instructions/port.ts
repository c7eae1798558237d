/**
 * EXPOSE port specifications: `80`, `80/tcp`, `8000-8010/udp`, `53/sctp`. Values holding build
 * arguments (`$PORT`) are checked by the planner after expansion with `checkPortSpec`.
 */
export type PortProtocol = "tcp" | "udp" | "sctp";

export interface PortRange {
  start: number;
  end: number;
  protocol: PortProtocol;
}

/** Parses a port spec; a problem message when it is invalid. */
export function parsePortSpec(spec: string): PortRange | string {
  // `ip:hostPort:containerPort` is accepted for compatibility (the linter flags it): only the
  // container port matters to an image.
  const container = spec.slice(spec.lastIndexOf(":") + 1);
  const match = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(container);
  if (!match) return `invalid port "${spec}" (expected port[/tcp|udp|sctp] or start-end[/protocol])`;
  const protocol = (match[3] ?? "tcp").toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp" && protocol !== "sctp") {
    return `invalid protocol "${match[3]}" in port "${spec}" (expected tcp, udp or sctp)`;
  }
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  for (const port of [start, end]) {
    if (port < 1 || port > 65535) return `invalid port "${spec}": ${port} is outside 1-65535`;
  }
  if (end < start) return `invalid port range "${spec}": ${end} is lower than ${start}`;
  return { start, end, protocol };
}

/** Undefined when valid, else the problem. */
export function checkPortSpec(spec: string): string | undefined {
  const parsed = parsePortSpec(spec);
  return typeof parsed === "string" ? parsed : undefined;
}
