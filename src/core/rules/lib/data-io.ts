// Recognisers for data reads in Python, shared by the data and validation rules.
import type { ArgFact } from '../../parse/python';
import type { PythonProgram, ResolvedCall } from '../../parse/program';

/** Qualified callee -> keyword names that may carry the path (first positional is always tried). */
const READERS: Array<{ match: RegExp; pathKeywords: string[] }> = [
  { match: /^pandas\.read_(csv|parquet|json|excel|feather|pickle|table|hdf|orc|sas|stata|fwf|xml|spss)$/, pathKeywords: ['filepath_or_buffer', 'path', 'io', 'path_or_buf', 'path_or_buffer'] },
  { match: /^polars\.(read|scan)_(csv|parquet|json|ndjson|ipc|excel|avro|delta)$/, pathKeywords: ['source', 'file'] },
  { match: /^dask\.dataframe\.read_(csv|parquet|json|table|hdf|orc)$/, pathKeywords: ['urlpath', 'path'] },
  { match: /^numpy\.(load|loadtxt|genfromtxt|fromfile)$/, pathKeywords: ['file', 'fname'] },
  { match: /^pyarrow\.(parquet\.read_table|csv\.read_csv|feather\.read_table)$/, pathKeywords: ['source', 'input_file'] },
  { match: /^datasets\.(load_from_disk)$/, pathKeywords: ['dataset_path'] },
  { match: /^scipy\.io\.loadmat$/, pathKeywords: ['file_name'] },
  { match: /^h5py\.File$/, pathKeywords: ['name'] },
  { match: /^(tensorflow|tf)\.data\.(TFRecordDataset|TextLineDataset)$/, pathKeywords: ['filenames'] },
  { match: /^(tensorflow|tf)\.keras\.utils\.(image_dataset_from_directory|text_dataset_from_directory)$/, pathKeywords: ['directory'] },
  { match: /^torchvision\.datasets\.ImageFolder$/, pathKeywords: ['root'] },
];

/** File extensions that look like data (for `open()` and generic loaders). */
export const DATA_EXTENSIONS = /\.(csv|tsv|parquet|pq|json|jsonl|ndjson|xlsx?|feather|arrow|h5|hdf5?|npy|npz|pkl|pickle|tfrecords?|txt|zip|gz|tar|avro|orc|mat)$/i;

export interface DataRead {
  rc: ResolvedCall;
  /** The literal path, when the path argument is a plain string. */
  path?: string;
  pathArg?: ArgFact;
}

function pathArgument(rc: ResolvedCall, keywords: string[]): ArgFact | undefined {
  const args = rc.call.args;
  const kw = args.find((a) => a.name !== undefined && keywords.includes(a.name));
  return kw ?? args.find((a) => a.name === undefined);
}

function openMode(rc: ResolvedCall): string {
  const args = rc.call.args;
  const kw = args.find((a) => a.name === 'mode');
  const pos = args.filter((a) => a.name === undefined)[1];
  return (kw ?? pos)?.str ?? 'r';
}

/** Local or remote data reads in a program (calls whose first argument is a path). */
export function dataReads(program: PythonProgram): DataRead[] {
  const out: DataRead[] = [];
  for (const rc of program.calls()) {
    const q = rc.qualified;
    const reader = READERS.find((r) => r.match.test(q));
    if (reader) {
      const arg = pathArgument(rc, reader.pathKeywords);
      out.push({ rc, pathArg: arg, path: arg?.str });
      continue;
    }
    // `open("data/x.csv")` for reading, when the path looks like data.
    if ((q === 'open' || q === 'io.open') && !/[wax+]/.test(openMode(rc))) {
      const arg = pathArgument(rc, ['file']);
      if (arg?.str && DATA_EXTENSIONS.test(arg.str)) out.push({ rc, pathArg: arg, path: arg.str });
    }
  }
  return out;
}

/** True for a path that names a remote location (URL or cloud storage). */
export function isRemotePath(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}
