/// The age v1 file format (C2SP). Implementation lands with the backup issue.
public enum Age {}
