#include "absl/strings/str_cat.h"
#include <cstdio>
int main(){std::puts(absl::StrCat("hi ", 1).c_str());}
