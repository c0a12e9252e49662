"""Is a path on a network share? SQLite's file locking is unreliable over SMB/NFS, so we refuse it there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "sshfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "glusterfs",
    "ceph",
    "davfs",
    "fuse.davfs2",
    "fuse.rclone",
    "lustre",
    "gpfs",
    "ncpfs",
}
MOUNTS = Path("/proc/mounts")


def network_filesystem(path: Path, mounts_text: str | None = None) -> str | None:
    """The network file system type holding `path` ('cifs', 'nfs4', 'UNC share'...), or None if local."""
    text = str(path)
    if sys.platform == "win32":
        return _windows_kind(text)
    if mounts_text is None:
        try:
            mounts_text = MOUNTS.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None  # not Linux (or no /proc): nothing reliable to go on
    resolved = os.path.realpath(text)
    best, best_type = "", None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type if best_type in NETWORK_FS else None


def _windows_kind(text: str) -> str | None:
    if text.startswith(("\\\\", "//")):
        return "UNC share"
    import ctypes

    root = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
    drive_remote = 4
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    return "network drive" if kernel32.GetDriveTypeW(root) == drive_remote else None
