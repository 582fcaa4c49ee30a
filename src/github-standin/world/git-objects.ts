import { createHash } from "node:crypto";

/**
 * Git's object ids, computed the way git computes them, so a file's or folder's sha depends on its
 * content only: the same content always has the same sha (as on GitHub), and rendering an
 * unchanged object twice gives the same body and so the same ETag.
 */

function objectId(type: "blob" | "tree", body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** A blob's id: sha1 of `blob <byte length>\0<content>` (`git hash-object`). */
export function blobSha(content: string): string {
  return objectId("blob", Buffer.from(content, "utf8"));
}

/** The object ids of a commit's snapshot: every file's blob and every folder's tree. */
export interface GitSnapshot {
  /** The root tree's id (`tree_id` of the commit). */
  readonly root: string;
  /** Folder path (no leading or trailing slash; `""` is the root) → tree id. */
  readonly trees: ReadonlyMap<string, string>;
  /** File path → blob id. */
  readonly blobs: ReadonlyMap<string, string>;
}

interface Folder {
  readonly files: Map<string, string>;
  readonly folders: Map<string, Folder>;
}

/**
 * Hashes a snapshot (path → UTF-8 content) into git trees: entries `<mode> <name>\0<20-byte id>`,
 * files as 100644 and folders as 40000, sorted as git sorts them (a folder as if its name ended
 * in `/`). An empty snapshot is git's empty tree.
 */
export function hashSnapshot(files: ReadonlyMap<string, string>): GitSnapshot {
  const root: Folder = { files: new Map(), folders: new Map() };
  const blobs = new Map<string, string>();
  for (const [path, content] of files) {
    const parts = path.split("/").filter((part) => part !== "");
    const name = parts.pop();
    if (name === undefined) continue;
    let folder = root;
    for (const part of parts) {
      let next = folder.folders.get(part);
      if (!next) {
        next = { files: new Map(), folders: new Map() };
        folder.folders.set(part, next);
      }
      folder = next;
    }
    const sha = blobSha(content);
    folder.files.set(name, sha);
    blobs.set(path, sha);
  }
  const trees = new Map<string, string>();
  const hashFolder = (folder: Folder, path: string): string => {
    const entries: { key: string; mode: string; name: string; sha: string }[] = [];
    for (const [name, sha] of folder.files) entries.push({ key: name, mode: "100644", name, sha });
    for (const [name, child] of folder.folders) {
      const sha = hashFolder(child, path === "" ? name : `${path}/${name}`);
      entries.push({ key: `${name}/`, mode: "40000", name, sha });
    }
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    const body = Buffer.concat(
      entries.flatMap((entry) => [
        Buffer.from(`${entry.mode} ${entry.name}\0`),
        Buffer.from(entry.sha, "hex"),
      ]),
    );
    const sha = objectId("tree", body);
    trees.set(path, sha);
    return sha;
  };
  return { root: hashFolder(root, ""), trees, blobs };
}
