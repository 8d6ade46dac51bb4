#!/usr/bin/env python3
"""Top artists of a Spotify Extended Streaming History export, the way the popular
export analysers compute them: glob the Streaming_History_Audio_*.json files (in a
folder, at any depth, or inside my_spotify_data.zip), load every stream, skip the
ones without a track (podcasts, audiobooks), sum ms_played by album artist.

Usage: top_artists.py EXPORT_DIR_OR_ZIP [N]
Prints one line per artist, most listened first: <ms_played>\t<artist>
Standard library only: it knows nothing of wrapped-etl.
"""
import fnmatch
import glob
import json
import os
import sys
import zipfile
from collections import defaultdict

PATTERN = "Streaming_History_Audio_*.json"


def load_streams(source):
    if source.lower().endswith(".zip"):
        with zipfile.ZipFile(source) as archive:
            for name in sorted(archive.namelist()):
                if fnmatch.fnmatch(os.path.basename(name), PATTERN):
                    yield from json.loads(archive.read(name).decode("utf-8"))
    else:
        for name in sorted(glob.glob(os.path.join(source, "**", PATTERN), recursive=True)):
            with open(name, encoding="utf-8") as f:
                yield from json.load(f)


def main():
    source = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    ms_by_artist = defaultdict(int)
    for stream in load_streams(source):
        if stream.get("master_metadata_track_name") is None:
            continue
        ms_by_artist[stream["master_metadata_album_artist_name"]] += stream["ms_played"]
    ranked = sorted(ms_by_artist.items(), key=lambda kv: (-kv[1], kv[0]))
    for artist, ms in ranked[:top]:
        print(f"{ms}\t{artist}")


if __name__ == "__main__":
    main()
