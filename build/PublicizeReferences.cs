// Build-time only: compiled by MSBuild's RoslynCodeTaskFactory from Internals/Build/Publicize.targets,
// never into the library. It sees only this file, so it keeps to plain C# with block-scoped namespaces.
using System;
using System.Collections.Generic;
using System.IO;

namespace MLNet.ConvNet.Build
{
    /// <summary>
    /// Writes copies of reference assemblies in which internal and private types, methods and fields are
    /// public, so that MLNet.ConvNet can compile against the ML.NET members it needs (see docs/design.md).
    /// The copies are only ever compiled against; at run time the untouched ML.NET assemblies load and
    /// [IgnoresAccessChecksTo] lets the calls through.
    /// </summary>
    /// <remarks>
    /// The flags are flipped in place in the metadata tables, so the copy keeps every byte's position:
    /// TypeDef rows start with their 4-byte Flags, Field rows with their 2-byte Flags, and MethodDef rows
    /// carry their 2-byte Flags after the 4-byte RVA and the 2-byte ImplFlags (ECMA-335 II.22).
    /// MSBuild compiles inline tasks against netstandard only, so System.Reflection.Metadata is out of
    /// reach and <see cref="MetadataTables"/> reads the few tables it needs itself.
    /// protected and protected internal members stay as they are: they are reachable from a derived class
    /// already, and overriding them must keep the accessibility the runtime sees.
    /// </remarks>
    public sealed class PublicizeReferences : Microsoft.Build.Utilities.Task
    {
        private const int TypeVisibilityMask = 0x7;
        private const int TypeNotPublic = 0x0;
        private const int TypePublic = 0x1;
        private const int TypeNestedPublic = 0x2;
        private const int MemberAccessMask = 0x7;
        private const int MemberFamily = 0x4;
        private const int MemberFamilyOrAssembly = 0x5;
        private const int MemberPublic = 0x6;

        /// <summary>The assemblies to copy.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Assemblies { get; set; }

        /// <summary>The folder that receives the copies, under their own file names.</summary>
        [Microsoft.Build.Framework.Required]
        public string OutputDirectory { get; set; }

        /// <summary>The copies, one for each input, in the same order.</summary>
        [Microsoft.Build.Framework.Output]
        public Microsoft.Build.Framework.ITaskItem[] Publicized { get; set; }

        public override bool Execute()
        {
            Directory.CreateDirectory(OutputDirectory);
            var results = new List<Microsoft.Build.Framework.ITaskItem>();
            foreach (var item in Assemblies)
            {
                string source = item.ItemSpec;
                string target = Path.Combine(OutputDirectory, Path.GetFileName(source));
                if (!File.Exists(target) || File.GetLastWriteTimeUtc(target) < File.GetLastWriteTimeUtc(source))
                {
                    byte[] image = File.ReadAllBytes(source);
                    int changed = Publicize(image);
                    string temporary = target + ".tmp";
                    File.WriteAllBytes(temporary, image);
                    if (File.Exists(target))
                        File.Replace(temporary, target, null);
                    else
                        File.Move(temporary, target);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Publicized {0} members of {1} into {2}.", changed, source, target);
                }
                var output = new Microsoft.Build.Utilities.TaskItem(item);
                output.ItemSpec = target;
                results.Add(output);
            }
            Publicized = results.ToArray();
            return !Log.HasLoggedErrors;
        }

        private static int Publicize(byte[] image)
        {
            var tables = new MetadataTables(image);
            int changed = 0;

            for (int row = 0; row < tables.TypeDefCount; row++)
            {
                int offset = tables.TypeDefOffset + row * tables.TypeDefRowSize;
                int flags = BitConverter.ToInt32(image, offset);
                int visibility = flags & TypeVisibilityMask;
                // Visibilities 0 and 1 belong to top-level types, 2 to 7 to nested ones.
                int wanted = visibility <= TypePublic ? TypePublic : TypeNestedPublic;
                if (visibility == wanted)
                    continue;
                WriteInt32(image, offset, (flags & ~TypeVisibilityMask) | wanted);
                changed++;
            }
            for (int row = 0; row < tables.MethodDefCount; row++)
                changed += PublicizeMember(image, tables.MethodDefOffset + row * tables.MethodDefRowSize + 6);
            for (int row = 0; row < tables.FieldCount; row++)
                changed += PublicizeMember(image, tables.FieldOffset + row * tables.FieldRowSize);
            return changed;
        }

        private static int PublicizeMember(byte[] image, int flagsOffset)
        {
            int flags = BitConverter.ToUInt16(image, flagsOffset);
            int access = flags & MemberAccessMask;
            if (access == MemberPublic || access == MemberFamily || access == MemberFamilyOrAssembly)
                return 0;
            int updated = (flags & ~MemberAccessMask) | MemberPublic;
            image[flagsOffset] = (byte)updated;
            image[flagsOffset + 1] = (byte)(updated >> 8);
            return 1;
        }

        private static void WriteInt32(byte[] image, int offset, int value)
        {
            image[offset] = (byte)value;
            image[offset + 1] = (byte)(value >> 8);
            image[offset + 2] = (byte)(value >> 16);
            image[offset + 3] = (byte)(value >> 24);
        }
    }

    /// <summary>
    /// Finds the TypeDef, Field and MethodDef tables of a managed PE image (ECMA-335 II.24-II.25):
    /// PE headers, then the CLI header, the metadata root, the #~ stream, and the sizes of the tables
    /// Module, TypeRef, TypeDef, FieldPtr, Field and MethodPtr that precede MethodDef.
    /// </summary>
    internal sealed class MetadataTables
    {
        public readonly int TypeDefOffset, TypeDefRowSize, TypeDefCount;
        public readonly int FieldOffset, FieldRowSize, FieldCount;
        public readonly int MethodDefOffset, MethodDefRowSize, MethodDefCount;

        private readonly byte[] _image;

        public MetadataTables(byte[] image)
        {
            _image = image;
            int pe = I32(0x3c);
            if (I32(pe) != 0x00004550)
                throw new InvalidDataException("not a PE image");
            int sections = U16(pe + 6);
            int optional = pe + 24;
            int optionalSize = U16(pe + 20);
            int magic = U16(optional);
            int directories = optional + (magic == 0x20b ? 112 : 96);
            int cliHeader = ToFileOffset(I32(directories + 14 * 8), optional + optionalSize, sections);
            int root = ToFileOffset(I32(cliHeader + 8), optional + optionalSize, sections);
            if (I32(root) != 0x424A5342)
                throw new InvalidDataException("metadata root signature not found");
            int versionLength = I32(root + 12);
            int header = root + 16 + versionLength + 2;
            int streamCount = U16(header);
            int cursor = header + 2;
            int tablesStream = -1;
            for (int i = 0; i < streamCount; i++)
            {
                int offset = I32(cursor);
                int nameStart = cursor + 8;
                int nameEnd = nameStart;
                while (image[nameEnd] != 0)
                    nameEnd++;
                string name = System.Text.Encoding.ASCII.GetString(image, nameStart, nameEnd - nameStart);
                if (name == "#~" || name == "#-")
                    tablesStream = root + offset;
                cursor = nameStart + ((nameEnd - nameStart + 4) & ~3);
            }
            if (tablesStream < 0)
                throw new InvalidDataException("no #~ metadata stream");

            int heapSizes = image[tablesStream + 6];
            long valid = BitConverter.ToInt64(image, tablesStream + 8);
            var rows = new int[64];
            int rowCursor = tablesStream + 24;
            for (int table = 0; table < 64; table++)
            {
                if ((valid & (1L << table)) != 0)
                {
                    rows[table] = I32(rowCursor);
                    rowCursor += 4;
                }
            }
            int str = (heapSizes & 1) != 0 ? 4 : 2;
            int guid = (heapSizes & 2) != 0 ? 4 : 2;
            int blob = (heapSizes & 4) != 0 ? 4 : 2;
            Func<int, int> index = t => rows[t] < 65536 ? 2 : 4;
            Func<int, int[], int> coded = (tagBits, tables) =>
            {
                int max = 0;
                foreach (int t in tables)
                    max = Math.Max(max, rows[t]);
                return max < (1 << (16 - tagBits)) ? 2 : 4;
            };
            const int Module = 0x00, TypeRef = 0x01, TypeDef = 0x02, FieldPtr = 0x03, Field = 0x04, MethodPtr = 0x05,
                MethodDef = 0x06, Param = 0x08, ModuleRef = 0x1a, TypeSpec = 0x1b, AssemblyRef = 0x23;

            int moduleRow = 2 + str + 3 * guid;
            int typeRefRow = coded(2, new[] { Module, ModuleRef, AssemblyRef, TypeRef }) + 2 * str;
            TypeDefRowSize = 4 + 2 * str + coded(2, new[] { TypeDef, TypeRef, TypeSpec }) + index(Field) + index(MethodDef);
            int fieldPtrRow = index(Field);
            FieldRowSize = 2 + str + blob;
            int methodPtrRow = index(MethodDef);
            MethodDefRowSize = 4 + 2 + 2 + str + blob + index(Param);

            TypeDefOffset = rowCursor + rows[Module] * moduleRow + rows[TypeRef] * typeRefRow;
            FieldOffset = TypeDefOffset + rows[TypeDef] * TypeDefRowSize + rows[FieldPtr] * fieldPtrRow;
            MethodDefOffset = FieldOffset + rows[Field] * FieldRowSize + rows[MethodPtr] * methodPtrRow;
            TypeDefCount = rows[TypeDef];
            FieldCount = rows[Field];
            MethodDefCount = rows[MethodDef];
        }

        private int ToFileOffset(int rva, int sectionTable, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int s = sectionTable + i * 40;
                int virtualAddress = I32(s + 12);
                int size = Math.Max(I32(s + 8), I32(s + 16));
                if (rva >= virtualAddress && rva < virtualAddress + size)
                    return rva - virtualAddress + I32(s + 20);
            }
            throw new InvalidDataException("an RVA lies in no section");
        }

        private int I32(int offset) { return BitConverter.ToInt32(_image, offset); }
        private int U16(int offset) { return BitConverter.ToUInt16(_image, offset); }
    }
}
