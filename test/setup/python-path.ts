// Loaded with `node --import` by the test scripts: the tests' processes, and every aws, python3
// and kubectl they start, skip pyenv's shims (lib/python-shims.ts).
import { usePythonPastPyenvShims } from '../../lib/python-shims.ts'

usePythonPastPyenvShims()
