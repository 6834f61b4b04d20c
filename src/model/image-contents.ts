/**
 * What reading an image yields, before any intent is drawn from it: its
 * digests, its config, and an index of every layer (entries, whiteouts, and the
 * few files whose content intent analysis reads). Image sources produce it;
 * the pure image analyser consumes it.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** How an executable file starts: an ELF binary, a `#!` script, or neither. */
export type ExecutableFormat = 'elf' | 'script' | 'other';

export interface LayerEntry {
  /** Absolute and normalised: `/usr/sbin/nginx`. */
  path: string;
  type: EntryType;
  /** Permission bits (`0o755`). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** A symlink's target as written, or the absolute path a hard link names. */
  link?: string;
  /** Regular files with an exec bit only. */
  sha256?: string;
  format?: ExecutableFormat;
  /** ELF program interpreter (`/lib64/ld-linux-x86-64.so.2`) or a script's `#!` line. */
  interpreter?: string;
}

export interface LayerIndex {
  /** `sha256:` of the uncompressed layer tar: the id Docker and the image config use. */
  diffId: string;
  /** True when diffId (and digest) were computed from the bytes read, not taken from the config. */
  verified: boolean;
  /** `sha256:` of the blob as stored or sent (compressed), when it differs from diffId. */
  digest?: string;
  /** Bytes of the blob as read. */
  size: number;
  /** In archive order: a later entry for the same path replaces an earlier one. */
  entries: LayerEntry[];
  /** Paths this layer deletes from the layers below (`.wh.NAME`). */
  whiteouts: string[];
  /** Folders whose lower-layer contents this layer hides (`.wh..wh..opq`). */
  opaque: string[];
  /** Content of the files intent analysis reads (os-release, package databases, passwd), by path. */
  files: Record<string, string>;
  /** Suspicious or unusable entries, skipped (`../` paths, oversized package databases). */
  warnings: string[];
}

export type ImageTransport = 'docker-engine' | 'containerd' | 'containers-storage' | 'docker-archive' | 'oci' | 'registry';

/** The parts of the OCI image config that intent is drawn from. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, unknown>;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number };
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
}

export interface ImageContents {
  /** As the user gave it, with its transport: `docker-archive:nginx.tar`. */
  reference: string;
  transport: ImageTransport;
  /** `sha256:` of the config: the image ID that Docker reports for the image and its containers. */
  id: string;
  /** `sha256:` of the manifest, when the source has one. */
  manifestDigest?: string;
  /** `name@sha256:…` digests the engine knows the image by. */
  repoDigests: string[];
  repoTags: string[];
  config: ImageConfig;
  /** Base layer first. */
  layers: LayerIndex[];
}
