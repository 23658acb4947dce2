# lit configuration of Cadre's compiler tests: each file is an input with
# RUN: lines and FileCheck patterns (docs/compiler.md, "Tests").
import lit.formats

config.name = "cadre-compiler"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.cadre_test_exec_root
config.substitutions.append(("%cadre", config.cadre))
config.substitutions.append(("FileCheck", config.filecheck))
config.substitutions.append(("not ", config.llvm_not + " "))
config.excludes = ["Inputs"]
