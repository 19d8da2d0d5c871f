// GET jobs/{owner},{job}/{filename}: the job's log (text/plain) or an export's dump file, streamed.
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { dumpFile } from '../dump-stream.js';
import { servedFiles } from '../job-view.js';
import { jobLog } from '../log-stream.js';
import { ordsError } from '../ords-errors.js';
import type { Reply } from '../reply.js';

export function getJobFile(state: EmulatorState, ctx: AuthenticatedContext): Reply {
  const { owner, jobName, file } = ctx.route;
  // `vanishedFiles: 'served'`: the files of a job whose control table was dropped stay in the directory.
  const job = state.jobs.find(owner, jobName) ?? state.jobs.findVanished(owner, jobName);
  if (!job) return ordsError(404, state.options.ids, `The Data Pump job ${owner},${jobName} does not exist`);
  if (!servedFiles(job, ctx.now).includes(file)) {
    // `serveAnyFile`: an ORDS that does not check the name (Oracle does not document that it does).
    if (state.options.serveAnyFile) return foreignFile(owner, jobName, file);
    return ordsError(404, state.options.ids, `The Data Pump job ${owner},${jobName} has no file ${file}`);
  }
  if (file === job.logFile) {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: job.added ? job.added.log : jobLog(job, ctx.now, state.options.logBytes),
    };
  }
  return {
    status: 200,
    headers: { 'Content-Type': state.options.dumpMediaType },
    body: dumpFile(job, state.options.dumpBytes),
  };
}

/** The fake body of a name that is not one of the job's files (`serveAnyFile`). */
function foreignFile(owner: string, jobName: string, file: string): Reply {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/octet-stream' },
    body: `EMULATED FILE THAT IS NOT THE JOB'S (serveAnyFile): ${file} asked of ${owner},${jobName}\n`,
  };
}
