"""A FileStorage that keeps nothing of erased content once it is packed (R17).

ZODB's FileStorage leaves two copies of old data beside ``Data.fs``: the ``.old`` file a
pack keeps by default, and the ``.tmp`` commit buffer, which is rewritten from its start by
each transaction but never shortened, so the tail of the largest transaction ever written
(a child's name, a fødselsnummer) stays in it. This storage packs without ``.old`` and
empties the buffer after every transaction. A ZEO server uses it through ZConfig:

    %import stafett
    <purgeablefilestorage 1>
      path /var/lib/stafett/Data.fs
    </purgeablefilestorage>
"""

from __future__ import annotations

from ZODB.config import BaseConfig
from ZODB.FileStorage import FileStorage


class PurgeableFileStorage(FileStorage):
    def __init__(self, file_name: str, **options) -> None:
        options["pack_keep_old"] = False
        super().__init__(file_name, **options)

    def _clear_temp(self) -> None:
        super()._clear_temp()
        if self._tfile is not None:
            self._tfile.truncate()


class PurgeableFileStorageConfig(BaseConfig):
    """The ``<purgeablefilestorage>`` section (``component.xml``): FileStorage's keys."""

    OPTIONS = ("blob_dir", "create", "read_only", "quota", "pack_gc")

    def open(self) -> PurgeableFileStorage:
        options = {name: getattr(self.config, name) for name in self.OPTIONS
                   if getattr(self.config, name, None) is not None}
        return PurgeableFileStorage(self.config.path, **options)
