import CasesCore
print(CasesCoreVersion.string)
