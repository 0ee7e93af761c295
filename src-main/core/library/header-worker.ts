import { parentPort } from 'node:worker_threads';
import { runHeaderJob, type HeaderJob } from './header-pool';

// A worker thread that reads DICOM headers, so that re-reading thousands of files
// at commit time (or scanning) uses every core while the main thread keeps serving.
parentPort!.on('message', (job: HeaderJob) => {
  parentPort!.postMessage({ id: job.id, results: runHeaderJob(job) });
});
