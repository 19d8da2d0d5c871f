import { createDatapumpClient, DatapumpJobFailedError } from 'datapump-gateway/client';
const client = createDatapumpClient({ baseUrl: process.env.DATAPUMP_URL!, apiKey: process.env.DATAPUMP_API_KEY!, database: 'orcl' });
const job = await client.exportSchemas(['HR']);
try {
  const done = await client.waitForJob(job, { timeoutMs: 600_000, onProgress: (p) => console.log(p.state, p.elapsedMs) });
  console.log(`${done.owner_name},${done.job_name} ${done.state}: ${done.outcome.result}`); // succeeded, or with errors
} catch (error) {
  if (error instanceof DatapumpJobFailedError) console.error(error.outcome.result, error.logTail.join('\n'));
  else throw error;
}
