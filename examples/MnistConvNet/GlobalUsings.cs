global using System.Diagnostics;
global using System.Globalization;
global using Microsoft.ML;
global using Microsoft.ML.Data;
global using MLNet.ConvNet;
global using MLNet.ConvNet.Data;
global using MLNet.ConvNet.SampleImages;
