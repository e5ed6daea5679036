"""Files that every reader of grouped data must refuse, each with a fragment of its message.

Shared by the parser's tests, the app state's upload tests and the command line's tests.
"""

from partialpool.csvfile import MAX_UPLOAD_BYTES

BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "blank lines only": (b"\n \n\n", "the file is empty"),
    "wrong columns": (b"name,score\na,1\nb,2\n", "cannot tell which columns to use"),
    "missing column": (b"group,estimate\na,1\nb,2\n", "The columns are: group, estimate"),
    "no header": (b"a,1\nb,2\n", "cannot tell which columns to use"),
    "repeated column": (b"group,value,value\na,1,2\n", "repeats a column name"),
    "header only": (b"group,value\n", "header but no data rows"),
    "ragged row": (b"group,value\na,1\nb,2,3\n", "line 3: expected 2 fields"),
    "non-numeric": (b"group,value\na,1\na,2\nb,x7\n", "line 4: value 'x7' is not a number"),
    "empty value": (b"group,value\na,1\nb,\n", "line 3: value is empty"),
    "single group": (b"group,value\na,1\na,2\na,4\n", "one group ('a')"),
    "zero se": (b"group,estimate,se\na,1,0\nb,2,1\n", "line 2: se must be > 0; got '0'"),
    "negative se": (b"group,estimate,se\na,1,1\nb,2,-3\n", "line 3: se must be > 0; got '-3'"),
    "negative sd": (b"group,mean,sd,n\na,1,-1,4\nb,2,1,4\n", "line 2: sd must be > 0"),
    "fractional n": (b"group,mean,sd,n\na,1,1,4\nb,2,1,2.5\n", "line 3: n must be a whole number"),
    "duplicate group": (
        b"group,estimate,se\na,1,1\nb,2,1\na,3,1\n",
        "group 'a' appears twice (line 2 and line 4)",
    ),
    "nan": (b"group,value\na,1\na,nan\nb,2\n", "line 3: value is 'nan'; it must be finite"),
    "inf": (b"group,estimate,se\na,inf,1\nb,2,1\n", "line 2: estimate is 'inf'; it must be finite"),
    "huge": (b"group,value\na,1e200\na,1\nb,2\n", "it must be at most 1e+100 in size"),
    "truth varies in a group": (
        b"group,value,truth\na,1,5\na,2,6\nb,3,1\n",
        "truth must be the same on every row of a group",
    ),
    "one observation per group": (b"group,value\na,1\nb,2\n", "every group has one observation"),
    "constant groups": (b"group,value\na,1\na,1\nb,2\nb,2\n", "within-group sd is 0"),
    "empty label": (b"group,value\na,1\n ,2\n", "line 3: the group label is empty"),
    "control character": (b"group,value\na\x07,1\nb,2\n", "control character"),
    "bidi override in a label": (
        "group,value\nx\u202egnp.exe,1\nx\u202egnp.exe,2\nb,3\nb,5\n".encode(),
        "line 2: the group label contains the invisible character U+202E",
    ),
    "zero-width space in a label": (
        "group,estimate,se\na,1,1\na\u200b,2,1\n".encode(),
        "line 3: the group label contains the invisible character U+200B (ZERO WIDTH SPACE)",
    ),
    "underscore in a number": (
        b"group,value\na,1\na,2\nb,1_000\nb,5\n",
        "line 4: value '1_000' is not a number",
    ),
    "underscore in a summary": (b"group,estimate,se\na,1,1\nb,2,0_5\n", "line 3: se '0_5'"),
    "Arabic-Indic digit": ("group,value\na,\u0661\na,2\nb,3\nb,5\n".encode(), "line 2: value"),
    "huge n": (
        b"group,mean,sd,n\na,1,1,1e100\nb,2,1,5\n",
        "line 2: n must be a whole number from 1 to 9,007,199,254,740,992; got '1e100'",
    ),
    "huge trials": (b"group,successes,trials\na,1,1e300\nb,2,5\n", "line 2: trials must be"),
    "se that underflows": (
        b"group,estimate,se\na,1,1e-160\nb,2,1e-160\nc,3,1e-160\n",
        "v must be >= 1e-305",
    ),
    "bad quoting": (b'group,value\n"a,1\nb,2\n', "the CSV is malformed"),
    "not UTF-8": (b"group,value\n\xe9cole,1\nb,2\n", "the file is not UTF-8 text"),
    "UTF-16": ("group,value\na,1\n".encode("utf-16"), "the file is not UTF-8 text"),
    "successes over trials": (
        b"group,successes,trials\na,3,10\nb,12,11\n",
        "line 3: successes '12' exceed trials '11'",
    ),
    "negative successes": (
        b"group,successes,trials\na,-1,10\nb,2,11\n",
        "line 2: successes must be a whole number from 0 to 9,007,199,254,740,992; got '-1'",
    ),
    "fractional count": (
        b"group,count,exposure\na,1,10\nb,2.5,11\n",
        "line 3: count must be a whole number from 0 to 9,007,199,254,740,992; got '2.5'",
    ),
    "zero trials": (
        b"group,successes,trials\na,0,0\nb,2,11\n",
        "line 2: trials must be a whole number from 1 to 9,007,199,254,740,992; got '0'",
    ),
    "zero exposure": (
        b"group,count,exposure\na,1,10\nb,2,0\n",
        "line 3: exposure must be > 0; got '0'",
    ),
    "over the size limit": (
        b"group,value\n" + b"a,1\n" * (MAX_UPLOAD_BYTES // 4 + 1),
        "partialpool fit FILE.csv",
    ),
}
"""id -> (file content, a fragment of the message that must name the problem)."""
