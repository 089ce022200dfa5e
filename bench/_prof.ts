import { createDatabase, createRepositories } from '/work/wt-searchfast/packages/server/src/db/index.js';
import { queryWords } from '/work/wt-searchfast/packages/server/src/search/searchText.js';
import { sql } from 'kysely';
const url = process.argv[2]!;
const database = await createDatabase({ url, dataDir: '/tmp' });
const repos = createRepositories(database.db);
const user = (await sql<{ user_id: string }>`select user_id from search_entries group by user_id order by count(*) desc limit 1`.execute(database.db)).rows[0]!.user_id;
for (const q of process.argv.slice(3)) {
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const page = await repos.search.search(user, queryWords(q), { limit: 20 });
    console.log(q, page.items.length, (performance.now() - t).toFixed(1), 'ms');
  }
}
await database.close();
