import { BadPatternError, hasWildcard } from "../context/go-match";
import { expandWildcards, parentsPivotDepth } from "../context/wildcards";
import type { CopyGroup, CopyItem } from "./copy-item";
import { CopyError } from "./errors";
import { ancestorsOf, pivotOfMatch, rootRelative, splitParents } from "./parents-path";
import type { LayerView, ViewStat } from "../rootfs/layer-view";
import { contentXattrs } from "../rootfs/overlay";

/** A `COPY --from` source after wildcard expansion. */
export interface ViewSource {
  pattern: string;
  /** Root-relative path as matched ("" for the root). */
  path: string;
  /** Where it leads once symlinks are followed inside the root. */
  target: string;
  kind: "directory" | "entry";
}

/**
 * Expands `COPY --from` sources in a stage or image rootfs, like the context side: Go
 * filepath.Match wildcards per component (directories entered only as real directories),
 * sources relative to the root whatever their leading "/", ".." clamped at the root, the source
 * itself followed if it is a symlink (inside the root). A wildcard matching nothing is skipped
 * (BuildKit's AllowEmptyWildcard); a literal source that is missing is COPY_SOURCE_NOT_FOUND.
 */
export function resolveViewSources(
  view: LayerView,
  patterns: readonly string[],
  label: string,
  options: { parents?: boolean } = {},
): ViewSource[] {
  const out: ViewSource[] = [];
  for (const pattern of patterns) {
    const rel = rootRelative(pattern);
    const wantDir = rel !== "" && (pattern.endsWith("/") || pattern.endsWith("/."));
    const components = rel === "" ? [] : rel.split("/");
    const firstWild = components.findIndex(hasWildcard);
    const globstarFrom = options.parents === true ? parentsPivotDepth(pattern) : Infinity;
    const matches = firstWild < 0 ? [rel] : expand(view, components, firstWild, globstarFrom, pattern, label);
    for (const match of matches) {
      const { path: target, stat } = view.resolve(match);
      if (stat === undefined || stat.type === "socket" || (wantDir && stat.type !== "directory")) {
        if (firstWild >= 0) continue;
        throw new CopyError("COPY_SOURCE_NOT_FOUND", `copy from ${label}: /${rel} not found`);
      }
      out.push({ pattern, path: match, target, kind: stat.type === "directory" ? "directory" : "entry" });
    }
  }
  return out;
}

/** The wildcard expander over a merged rootfs view (links followed inside its root). */
function expand(
  view: LayerView,
  components: string[],
  firstWild: number,
  globstarFrom: number,
  pattern: string,
  label: string,
): string[] {
  try {
    return expandWildcards(
      {
        directory: (p) => {
          const r = view.resolve(p);
          return r.stat?.type === "directory" ? r.path : undefined;
        },
        entries: (dir) =>
          view.readdir(dir).map((name) => ({
            name,
            isDirectory: () => view.lstat(dir === "" ? name : `${dir}/${name}`)?.type === "directory",
          })),
      },
      components,
      firstWild,
      globstarFrom,
    );
  } catch (err) {
    if (!(err instanceof BadPatternError)) throw err;
    throw new CopyError("COPY_BAD_PATTERN", `expand source ${pattern} in ${label}: syntax error in pattern`, {
      cause: err,
    });
  }
}

/** CopyGroups for `COPY --from` sources (ownership kept unless --chown, like BuildKit). */
export function viewGroups(
  view: LayerView,
  patterns: readonly string[],
  parents: boolean,
  label: string,
): CopyGroup[] {
  const groups: CopyGroup[] = [];
  for (const raw of patterns) {
    const split = parents ? splitParents(raw) : undefined;
    // The pattern as written: the resolver finds its pivot ("/./") for `**` below it.
    for (const source of resolveViewSources(view, [raw], label, { parents })) {
      const group: CopyGroup = {
        kind: source.kind,
        keepOwner: true,
        chmod: true,
        items: viewItems(view, source),
      };
      if (split !== undefined) {
        const { pivot, below } = pivotOfMatch(split, source.path);
        group.parentsPath = below;
        group.parentDirs = new Map();
        for (const dir of ancestorsOf(below)) {
          const st = view.stat(pivot === "" ? dir : `${pivot}/${dir}`);
          if (st?.type === "directory") group.parentDirs.set(dir, statItem(view, dir, st));
        }
      }
      groups.push(group);
    }
  }
  return groups;
}

function* viewItems(view: LayerView, source: ViewSource): Generator<CopyItem> {
  if (source.kind === "entry") {
    // resolveViewSources only returns targets it found (stat defined).
    const st = view.stat(source.target) as ViewStat;
    const name = source.path.slice(source.path.lastIndexOf("/") + 1);
    yield statItem(view, name, st);
    return;
  }
  for (const entry of view.walk(source.target)) {
    if (entry.stat.type === "socket") continue;
    yield statItem(view, entry.path, entry.stat);
  }
}

function statItem(view: LayerView, p: string, st: ViewStat): CopyItem {
  const host = st.hostPath;
  const item: CopyItem = {
    path: p,
    type: st.type === "socket" ? "file" : st.type,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    mtimeMs: st.mtimeMs,
    size: st.size,
    open: () => view.openHost(host),
    xattrs: () => contentXattrs(host),
  };
  if (st.devmajor !== undefined) item.devmajor = st.devmajor;
  if (st.devminor !== undefined) item.devminor = st.devminor;
  if (st.type === "symlink") item.linkTarget = view.readlinkHost(host);
  return item;
}
