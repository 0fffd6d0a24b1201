// Uploads through the gateway with XMLHttpRequest (fetch reports no upload progress): a
// single PUT up to 16 MiB, else a multipart upload of 8 MiB parts (more for files past 80 GiB,
// to stay within 10,000 parts), four in flight, each part retried once; cancel aborts the
// requests in flight and the multipart upload.
import { ApiError, csrfToken, encodeKey, s3 } from './api.js';

const SINGLE_LIMIT = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const MAX_PARTS = 10000; // S3's limit: larger files get larger parts (whole MiB)
const PARALLEL = 4;

function put(url, body, headers, onProgress, registry) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    registry.add(xhr);
    xhr.open('PUT', url);
    xhr.setRequestHeader('X-Cairn-Csrf', csrfToken());
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      registry.delete(xhr);
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.getResponseHeader('ETag'));
        return;
      }
      const doc = new DOMParser().parseFromString(xhr.responseText || '<x/>', 'application/xml');
      const code = doc.querySelector('Code')?.textContent || '';
      const message = doc.querySelector('Message')?.textContent || `HTTP ${xhr.status}`;
      reject(new ApiError(xhr.status, code, message));
    };
    xhr.onerror = () => {
      registry.delete(xhr);
      reject(new ApiError(0, 'NetworkError', 'The connection to the server failed.'));
    };
    xhr.onabort = () => {
      registry.delete(xhr);
      reject(new ApiError(0, 'Cancelled', 'Cancelled'));
    };
    xhr.send(body);
  });
}

// One file's upload. `onProgress(sentBytes)`; returns { promise, cancel }.
export function uploadFile(bucket, key, file, onProgress) {
  const registry = new Set();
  let cancelled = false;
  let uploadId = '';
  const url = `/api/v1/s3/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
  const type = file.type || 'application/octet-stream';

  async function multipart() {
    const res = await s3('POST', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { uploads: true }, {
      headers: { 'Content-Type': type },
    });
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    uploadId = doc.querySelector('UploadId').textContent;
    const MiB = 1024 * 1024;
    const partSize = Math.max(PART_SIZE, Math.ceil(file.size / MAX_PARTS / MiB) * MiB);
    const count = Math.ceil(file.size / partSize);
    const sent = new Array(count).fill(0);
    const etags = new Array(count);
    let next = 0;
    const report = () => onProgress(sent.reduce((a, b) => a + b, 0));
    async function worker() {
      while (next < count && !cancelled) {
        const n = next++;
        const blob = file.slice(n * partSize, Math.min(file.size, (n + 1) * partSize));
        const partUrl = `${url}?partNumber=${n + 1}&uploadId=${encodeURIComponent(uploadId)}`;
        for (let attempt = 0; ; attempt++) {
          try {
            etags[n] = await put(partUrl, blob, {}, (b) => ((sent[n] = b), report()), registry);
            break;
          } catch (e) {
            if (cancelled || attempt >= 1 || e.code === 'Cancelled' || (e.status >= 400 && e.status < 500)) throw e;
          }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
    if (cancelled) throw new ApiError(0, 'Cancelled', 'Cancelled');
    const body =
      '<CompleteMultipartUpload>' +
      etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    await s3('POST', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { uploadId }, { body });
  }

  const promise = (async () => {
    try {
      if (file.size <= SINGLE_LIMIT) {
        await put(url, file, { 'Content-Type': type }, onProgress, registry);
      } else {
        await multipart();
      }
      onProgress(file.size);
    } catch (e) {
      if (uploadId) {
        s3('DELETE', `/${encodeURIComponent(bucket)}/${encodeKey(key)}`, { uploadId }).catch(() => {});
      }
      throw e;
    }
  })();
  return {
    promise,
    cancel() {
      cancelled = true;
      for (const xhr of registry) xhr.abort();
    },
  };
}
