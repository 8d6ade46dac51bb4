import { syntheticCatalog } from '../../src/catalog/synthetic';
import { CatalogIndex } from '../../src/simulation/catalog-index';
import { SongTable } from '../../src/simulation/song-table';

/** The simulator unit tests' catalog: 600 synthetic songs, built in memory. */
export const unitSongs = SongTable.fromSongs(syntheticCatalog(600, 7, 2025));

/** The unit catalog's index, its first artist with at least 3 songs, and that artist's songs in catalog order. */
export function artistWithSongs(): { index: CatalogIndex; artist: number; songs: number[] } {
  const index = new CatalogIndex(unitSongs);
  const artist = [...Array(index.artistCount).keys()].find((a) => index.songCountOf(a) >= 3)!;
  const songs = Array.from({ length: unitSongs.size }, (_, s) => s).filter((s) => index.artistOf[s] === artist);
  return { index, artist, songs };
}
